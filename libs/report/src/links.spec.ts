import { LinkTraffic, linkBalance, mergeLedgers, patternTraffic } from './links';

const cell = (messages: number, bytes: number) => ({ messages, bytes });
const zero = cell(0, 0);

function traffic(byPattern: LinkTraffic['byPattern'], outcomes: LinkTraffic['outcomes'] = {}): LinkTraffic {
  const sum = (dir: 'sent' | 'received') =>
    Object.values(byPattern).flatMap((cams) => Object.values(cams)).reduce((a, c) => cell(a.messages + c[dir].messages, a.bytes + c[dir].bytes), zero);
  return { sent: sum('sent'), received: sum('received'), byPattern, malformed: {}, outcomes };
}

describe('link ledgers', () => {
  // Split over two processes: the roof sends frames and receives acks, the fog the other way round.
  const roof = { roofToFog: traffic({ 'frame.changed': { cam: { sent: cell(3, 300), received: zero } }, ack: { '-': { sent: zero, received: cell(3, 30) } } }, { delivered: 3 }) };
  const fog = { roofToFog: traffic({ 'frame.changed': { cam: { sent: zero, received: cell(3, 300) } }, ack: { '-': { sent: cell(3, 30), received: zero } } }) };

  it('adds processes up and balances when both ends counted the same', () => {
    const merged = mergeLedgers([roof, fog]);
    expect(merged.roofToFog.sent).toEqual(cell(6, 330));
    expect(merged.roofToFog.outcomes).toEqual({ delivered: 3 });
    expect(patternTraffic(merged, 'roofToFog', 'frame.changed')).toEqual(cell(3, 300));
    expect(patternTraffic(merged, 'roofToFog', 'ack')).toEqual(cell(3, 30));
    expect(patternTraffic(merged, 'fogToCloud', 'face.crop')).toEqual(zero);
    expect(linkBalance(merged).every((row) => row.balanced)).toBe(true);
  });

  it('finds a cell whose received bytes differ from the sent ones', () => {
    const short = { roofToFog: traffic({ 'frame.changed': { cam: { sent: zero, received: cell(3, 299) } } }) };
    const rows = linkBalance(mergeLedgers([roof, short]));
    expect(rows.filter((r) => !r.balanced)).toEqual([
      { link: 'roofToFog', pattern: 'frame.changed', camera: 'cam', sent: cell(3, 300), received: cell(3, 299), balanced: false },
      { link: 'roofToFog', pattern: 'ack', camera: '-', sent: zero, received: cell(3, 30), balanced: false },
    ]);
  });
});
