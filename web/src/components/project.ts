// The current project (header switch and every page): its own module, free of
// antd, so the entry chunk does not carry the components of common.tsx.
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import { PROJECT_KEY, pickProject, projectsQuery, wantedProject } from '../api/queries';
import type { Project } from '../api/models';

export function useProjects() {
  return useQuery(projectsQuery);
}

/** The current project: ?project= in the URL, else the last chosen, else the first readable one. */
export function useProject(): { projectId: string | undefined; projects: Project[]; setProject(id: string): void; loading: boolean } {
  const q = useProjects();
  const [params, setParams] = useSearchParams();
  const items = q.data?.items ?? [];
  const projectId = pickProject(items, wantedProject(params));
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
