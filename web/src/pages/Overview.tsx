// Overview: risk at a glance for the current project.
import { useMemo, type ComponentProps, type ReactNode } from 'react';
import { Card, Col, Row, Statistic, type StatisticProps } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { overviewQuery } from '../api/queries';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { QueryState, useProject } from '../components/common';
import { DataTable, PageTitle } from '../components/page';
import { Chart } from '../components/Chart';

const SEV = ['critical', 'high', 'medium', 'low', 'info'] as const;
const SEV_COLOR: Record<string, string> = {
  critical: '#9d174d',
  high: '#dc2626',
  medium: '#ea580c',
  low: '#2563eb',
  info: '#64748b',
  clean: '#16a34a',
  unscanned: '#94a3b8',
};

/** One headline number of the overview's top row. */
function StatCard(props: StatisticProps) {
  return (
    <Col xs={12} md={6}>
      <Card>
        <Statistic {...props} />
      </Card>
    </Col>
  );
}

/** A titled card of the overview's grid (`lg`: its width of 24 columns on large screens). */
function Panel({ title, lg, children }: { title: string; lg: number; children: ReactNode }) {
  return (
    <Col xs={24} lg={lg}>
      <Card title={title}>{children}</Card>
    </Col>
  );
}

/** A chart panel: the chart, or the no-permission text when its data is not readable (`option` undefined). */
function ChartPanel({ title, lg, option }: { title: string; lg: number; option: ComponentProps<typeof Chart>['option'] | undefined }) {
  const { t } = useI18n();
  return (
    <Panel title={title} lg={lg}>
      {option ? <Chart option={option} label={title} /> : t('common.noPermission')}
    </Panel>
  );
}

export default function Overview() {
  const { t, num } = useI18n();
  const { projectId } = useProject();
  const q = useQuery({ ...overviewQuery(projectId), enabled: !!projectId });
  const d = q.data;
  const pie = useMemo(() => {
    if (!d) return {};
    const parts = (['critical', 'high', 'medium', 'low', 'clean', 'unscanned'] as const)
      .map((k) => ({ name: t(`overview.sev.${k}` as MessageKey), value: d.images[k], itemStyle: { color: SEV_COLOR[k] } }))
      .filter((x) => x.value > 0);
    return { tooltip: { trigger: 'item' }, legend: { bottom: 0 }, series: [{ type: 'pie', radius: ['40%', '70%'], data: parts }] };
  }, [d, t]);
  const bars = useMemo(() => {
    if (!d?.alerts) return {};
    const days = [...new Set(d.alerts.byDay.map((r) => r.day))].sort();
    return {
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 48 },
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', minInterval: 1 },
      series: SEV.map((s) => ({
        name: t(`severity.${s}` as MessageKey),
        type: 'bar',
        stack: 'all',
        itemStyle: { color: SEV_COLOR[s] },
        data: days.map((day) => d.alerts!.byDay.find((r) => r.day === day && r.severity === s)?.groups ?? 0),
      })),
    };
  }, [d, t]);
  const types = useMemo(() => {
    if (!d?.alerts) return {};
    const rows = [...d.alerts.byType].reverse();
    return {
      tooltip: {},
      grid: { left: 180, right: 16, top: 8, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: rows.map((r) => r.type) },
      series: [{ type: 'bar', data: rows.map((r) => r.groups), itemStyle: { color: '#1d4ed8' } }],
    };
  }, [d]);
  return (
    <>
      <PageTitle>{t('nav.overview')}</PageTitle>
      <QueryState query={{ isLoading: q.isLoading || !projectId, error: q.error }}>
        {d && (
          <Row gutter={[16, 16]}>
            <StatCard title={t('overview.images')} value={num(d.images.total)} />
            <StatCard title={t('overview.criticalImages')} value={num(d.images.critical)} valueStyle={{ color: SEV_COLOR.critical }} />
            <StatCard title={t('overview.openAlerts')} value={d.alerts ? num(d.alerts.open) : '—'} />
            <StatCard
              title={t('overview.protection')}
              value={d.clusters ? t('overview.protectedOf', { protected: d.clusters.protected, total: d.clusters.total }) : '—'}
            />
            <ChartPanel title={t('overview.imagesBySeverity')} lg={10} option={pie} />
            <ChartPanel title={t('overview.alertsOverTime')} lg={14} option={d.alerts ? bars : undefined} />
            <Panel title={t('overview.topImages')} lg={12}>
              <DataTable
                size="small"
                dataSource={d.topImages}
                columns={[
                  { title: t('images.ref'), dataIndex: 'ref', render: (v: string, r) => <Link to={`/images/${r.id}?project=${projectId}`}>{v}</Link> },
                  { title: t('severity.critical'), dataIndex: 'critical' },
                  { title: t('severity.high'), dataIndex: 'high' },
                  { title: t('severity.medium'), dataIndex: 'medium' },
                ]}
              />
            </Panel>
            <Panel title={t('overview.topPackages')} lg={12}>
              <DataTable
                size="small"
                rowKey="package"
                dataSource={d.topPackages}
                columns={[
                  { title: t('images.package'), dataIndex: 'package' },
                  { title: t('overview.findings'), dataIndex: 'findings' },
                  { title: t('overview.affectedImages'), dataIndex: 'images' },
                ]}
              />
            </Panel>
            <ChartPanel title={t('overview.alertsByType')} lg={12} option={d.alerts ? types : undefined} />
            <Panel title={t('overview.nodes')} lg={12}>
              {d.nodes ? (
                <Row gutter={16}>
                  {(['online', 'offline', 'degraded'] as const).map((s) => (
                    <Col span={8} key={s}>
                      <Statistic title={t(`status.${s}`)} value={d.nodes![s]} />
                    </Col>
                  ))}
                </Row>
              ) : (
                t('common.noPermission')
              )}
            </Panel>
          </Row>
        )}
      </QueryState>
    </>
  );
}
