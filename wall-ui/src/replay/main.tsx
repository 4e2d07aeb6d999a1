import { createRoot } from 'react-dom/client';
// the wall's palette and type, then the page's own layout
import '../wall/app/wall.css';
import './replay.css';
import { App } from './App';
import { pickLang, translator } from './messages';
import { takeFragment } from './api';

const fragment = takeFragment();
const lang = pickLang(fragment.lang ?? new URLSearchParams(location.search).get('lang'), navigator.language);
document.documentElement.lang = lang;
const t = translator(lang);
document.title = t('title');
createRoot(document.getElementById('root')!).render(<App token={fragment.token} incidentId={fragment.incident} lang={lang} />);
