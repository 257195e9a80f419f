// The current project (header switch and every page): its own module, free of
// antd, so the entry chunk does not carry the components of common.tsx.
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import type { Page, Project } from '../api/types';

const PROJECT_KEY = 'vigil.project';

export function useProjects() {
  return useQuery({
    queryKey: ['projects'],
    queryFn: () => unwrap<Page<Project>>(api.GET('/api/v1/projects', { params: { query: { limit: 500 } } })),
    staleTime: 60_000,
  });
}

/** The current project: ?project= in the URL, else the last chosen, else the first readable one. */
export function useProject(): { projectId: string | undefined; projects: Project[]; setProject(id: string): void; loading: boolean } {
  const q = useProjects();
  const [params, setParams] = useSearchParams();
  const items = q.data?.items ?? [];
  const wanted = params.get('project') ?? localStorage.getItem(PROJECT_KEY) ?? '';
  const projectId = items.find((p) => p.id === wanted)?.id ?? items[0]?.id;
  return {
    projectId,
    projects: items,
    loading: q.isLoading,
    setProject(id) {
      localStorage.setItem(PROJECT_KEY, id);
      const next = new URLSearchParams(params);
      next.set('project', id);
      next.delete('cursor');
      setParams(next);
    },
  };
}
