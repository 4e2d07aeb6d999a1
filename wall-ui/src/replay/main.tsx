import { createRoot } from 'react-dom/client';
import { App } from './App';
import { pickLang, translator } from './messages';
import { takeFragment } from './api';

const fragment = takeFragment();
const lang = pickLang(fragment.lang ?? new URLSearchParams(location.search).get('lang'), navigator.language);
document.documentElement.lang = lang;
const t = translator(lang);
document.title = t('title');
createRoot(document.getElementById('root')!).render(<App token={fragment.token} incidentId={fragment.incident} lang={lang} />);
