// Rule options that change everything that can change: checked offline in prometheus-rules.test.ts and by
// promtool in prometheus-rules-promtool.system.test.ts.
export const CUSTOM_RULE_OPTIONS = {
  selector: 'job="payments", namespace=~"prod-.*"',
  groupBy: ['namespace', 'pod'],
  runbookBase: 'https://git.example.com/kee/blob/v1/',
  eventWindow: '30m',
  rateWindow: '2m',
  throttling: { seconds: 2.5, for: '30m' },
};
