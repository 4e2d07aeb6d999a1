import { createRoot } from 'react-dom/client';
import { App } from './App';
import './bodycam.css';

createRoot(document.getElementById('root')!).render(<App />);
