import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { I18nProvider, initialLang, loadLang } from './i18n/i18n';
import { AuthProvider } from './auth';
import { App } from './App';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: (n, e) => n < 1 && !((e as { status?: number }).status! >= 400), refetchOnWindowFocus: false } },
});

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
