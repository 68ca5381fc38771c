// The dashboards' PromQL parses: the real promtool checks every query (a child process: system project).
import { describe, expect, it } from 'vitest';
import { dashboardQueries, expand, loadDashboards } from '../e2e/support/dashboard-queries.js';
import { checkExpressions } from '../e2e/support/promtool.js';

describe('dashboard PromQL', () => {
  it('parses: promtool check rules accepts every query with its variables expanded', async () => {
    const all = [...loadDashboards().values()].flatMap((d) => dashboardQueries(d));
    const result = await checkExpressions(all.map((q) => expand(q.expr)));
    const failed = [...result.output.matchAll(/expr_(\d+)/g)].map((m) => all[Number(m[1])]);
    expect(result.ok, `${result.output}\n${JSON.stringify(failed, null, 2)}`).toBe(true);
    expect(result.output).toContain(`SUCCESS: ${all.length} rules found`);
  });
});
