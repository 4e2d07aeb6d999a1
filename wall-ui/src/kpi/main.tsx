import { createRoot } from 'react-dom/client';
import { App } from './App';
import { pickLang } from './messages';

document.documentElement.lang = pickLang(new URLSearchParams(location.search).get('lang'), navigator.language);
createRoot(document.getElementById('root')!).render(<App />);
