// Placeholder until the broker harness lands: integration tests get their broker here.
export default function setup(): void {}
