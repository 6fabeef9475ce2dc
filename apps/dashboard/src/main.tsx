import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { readListEarly } from './incidents-page';
import { loadSession } from './ledger-client';
import './styles.css';

// Opening on the incident list (no other page in the address) with a session: its first page is asked for now.
const session = loadSession();
if (session && /^#?\/?$/.test(window.location.hash)) readListEarly(session.token);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
