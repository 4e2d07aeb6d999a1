// The window hooks the wall's pages declare for their tests (window.__hubWall, window.__mapTest):
// the tests see them through the wall's entry, as the pages live in another tsconfig project.
import '@hub/wall-ui';
