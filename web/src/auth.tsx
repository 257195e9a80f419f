// Session state of the console: the signed-in user (GET /auth/me), what
// their role bindings allow (the server's own pure policy code, so the
// console hides exactly the actions the API would refuse), login and logout.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { authorize, type Binding as CoreBinding } from '../../src/core/auth/policy.js';
import { api, loadSession, saveSession, unwrap, type Session } from './api/client';
import { meQuery } from './api/queries';
import type { Me } from './api/models';

interface Auth {
  session: Session | undefined;
  me: Me | undefined;
  loading: boolean;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  /** Whether the signed-in user may do `action` on `projectId` (project routes) or globally (no project). */
  can(action: string, projectId?: string): boolean;
  expire(): void;
}

const Ctx = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const qc = useQueryClient();
  const me = useQuery({ ...meQuery(session?.token), enabled: !!session });
  const login = useCallback(
    async (username: string, password: string) => {
      const r = await unwrap(api.POST('/api/v1/auth/login', { body: { username, password } }));
      const s = { token: r.token, expiresAt: r.expiresAt };
      saveSession(s);
      qc.clear();
      setSession(s);
    },
    [qc],
  );
  const expire = useCallback(() => {
    saveSession(undefined);
    qc.clear();
    setSession(undefined);
  }, [qc]);
  const logout = useCallback(async () => {
    try {
      await api.POST('/api/v1/auth/logout');
    } finally {
      expire();
    }
  }, [expire]);
  const value = useMemo<Auth>(
    () => ({
      session,
      me: me.data,
      loading: !!session && me.isLoading,
      login,
      logout,
      expire,
      can(action, projectId) {
        const bindings: CoreBinding[] = me.data?.bindings ?? [];
        // Project routes name their project; global routes (users, settings, audit) need a binding on all projects.
        return projectId ? authorize(bindings, action, 'project', projectId) : authorize(bindings, action, 'global');
      },
    }),
    [session, me.data, me.isLoading, login, logout, expire],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAuth(): Auth {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
