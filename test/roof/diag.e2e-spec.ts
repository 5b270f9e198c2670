import { sharedPath } from '@sentinel/testing';
import { startRoof } from './roof-harness';
jest.setTimeout(300_000);
it('diag', async () => {
  for (const mergeSlack of [0, 4096, 16384, 65536]) {
    const running = await startRoof({ policy: 'regions', detection: { mergeSlack }, cameras: [{ id: 'q', source: sharedPath('data', 'vtest.avi'), pace: false }] });
    await running.roof.whenFilesDone();
    const msgs = running.links.frames.filter((f) => f.kind === 'regions');
    const n = msgs.reduce((s, f) => s + f.regions!.length, 0);
    const area = msgs.reduce((s, f) => s + f.regions!.reduce((a, r) => a + r.width * r.height, 0), 0);
    const st = running.roof.stats().q;
    process.stdout.write(`slack ${mergeSlack}: ${msgs.length} region msgs, ${(n / msgs.length).toFixed(2)} regions/msg, area ${(area / msgs.length / (768 * 576) * 100).toFixed(1)}%, ${(st.bytesForwarded / st.framesForwarded / 1024).toFixed(1)} KB/msg, full ${st.fullFramesForwarded}\n`);
    await running.close();
  }
});
