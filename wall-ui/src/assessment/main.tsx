import { createRoot } from 'react-dom/client';
import { App } from './App';
import { pickLang, translator } from './messages';

const lang = pickLang(new URLSearchParams(location.search).get('lang'), navigator.language);
document.documentElement.lang = lang;
document.title = translator(lang)('title');
createRoot(document.getElementById('root')!).render(<App lang={lang} />);
