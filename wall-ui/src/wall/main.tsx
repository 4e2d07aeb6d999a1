import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { applyToDocument } from './i18n';
import './app/wall.css';

applyToDocument();
createRoot(document.getElementById('root')!).render(<App />);
