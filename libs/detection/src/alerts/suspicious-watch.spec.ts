import { SuspiciousWatch } from './suspicious-watch';

const BAG = 24;
const bag = (x: number, y: number, trackId = 1) => ({ trackId, classId: BAG, box: { x, y, width: 10, height: 10 } });

describe('SuspiciousWatch', () => {
  it('alerts once per track after the dwell time, anywhere when the camera has no zones', () => {
    const watch = new SuspiciousWatch({ classIds: new Set([BAG]), minDwellMs: 1000, zones: [] });
    expect(watch.update([bag(0, 0)], 0)).toEqual([]);
    expect(watch.update([bag(0, 0)], 999)).toEqual([]);
    expect(watch.update([bag(0, 0)], 1000)).toEqual([{ ...bag(0, 0), since: 0, zone: undefined }]);
    expect(watch.update([bag(0, 0)], 5000)).toEqual([]);
    // Other classes are not watched.
    expect(watch.update([{ ...bag(0, 0, 2), classId: 0 }], 0)).toEqual([]);
    expect(watch.update([{ ...bag(0, 0, 2), classId: 0 }], 9000)).toEqual([]);
  });

  it('counts only time spent inside a zone (box bottom-centre) and resets when the object leaves', () => {
    const zones = [{ name: 'door', points: [[0, 0], [100, 0], [100, 100], [0, 100]] as [number, number][] }];
    const watch = new SuspiciousWatch({ classIds: new Set([BAG]), minDwellMs: 1000, zones });
    expect(watch.zoneOf({ x: 90, y: 80, width: 10, height: 10 })).toBe('door'); // footprint (95, 90)
    expect(watch.zoneOf({ x: 200, y: 0, width: 10, height: 10 })).toBeUndefined();
    watch.update([bag(10, 10)], 0);
    watch.update([bag(200, 10)], 600); // left: clock reset
    watch.update([bag(10, 10)], 700);
    expect(watch.update([bag(10, 10)], 1500)).toEqual([]);
    expect(watch.update([bag(10, 10)], 1700)).toEqual([{ ...bag(10, 10), since: 700, zone: 'door' }]);
  });
});
