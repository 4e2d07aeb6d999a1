import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')!).render(<h1>Body cam</h1>);
