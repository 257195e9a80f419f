// First: the start-up requests (start.ts) leave before the rest of the
// entry (React DOM, the router, Ant Design) is evaluated.
import { queryClient } from './start';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { QueryClientProvider } from '@tanstack/react-query';
import { I18nProvider, initialLang, loadLang } from './i18n/i18n';
import { AuthProvider } from './auth';
import { App } from './App';
// Ant Design's component styles, prebuilt (the theme's zeroRuntime, App.tsx); before the console's own.
import 'antd/dist/antd.css';
import './styles.css';

// Chinese users get the Chinese catalog before the first paint; if it cannot
// load, the console starts in English.
const render = () =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <BrowserRouter>
        <QueryClientProvider client={queryClient}>
          <I18nProvider>
            <AuthProvider>
              <App />
            </AuthProvider>
          </I18nProvider>
        </QueryClientProvider>
      </BrowserRouter>
    </StrictMode>,
  );
void loadLang(initialLang()).then(render, render);
