import { createRoot } from 'react-dom/client';
import { App } from './App';
import { pickLang } from './messages';
import { takeFragment } from './api';

const fragment = takeFragment();
const lang = pickLang(fragment.lang ?? new URLSearchParams(location.search).get('lang'), navigator.language);
document.documentElement.lang = lang;
createRoot(document.getElementById('root')!).render(<App token={fragment.token} incidentId={fragment.incident} lang={lang} />);
