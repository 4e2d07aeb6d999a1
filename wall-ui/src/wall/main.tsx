import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { getLocale } from './i18n';
import './app/wall.css';

document.documentElement.lang = getLocale();
createRoot(document.getElementById('root')!).render(<App />);
