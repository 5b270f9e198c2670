import type { ChangeResult } from '../detector/change-detector';
import { HeartbeatClock, planForward } from './forward-plan';

const limits = { maxRegions: 2, fullFrameAbove: 0.5 };
const result = (overrides: Partial<ChangeResult>): ChangeResult => ({ changed: true, score: 0.1, regions: [{ x: 0, y: 0, width: 10, height: 10 }], brightnessOffset: 0, first: false, ...overrides });

describe('planForward', () => {
  it('sends nothing for an unchanged frame unless a heartbeat is due', () => {
    expect(planForward(result({ changed: false, regions: [] }), 'frame', false, 100, 100, limits)).toEqual({ send: 'none' });
    expect(planForward(result({ changed: false, regions: [] }), 'regions', true, 100, 100, limits)).toEqual({ send: 'frame', heartbeat: true });
  });

  it('frame policy sends changed frames whole', () => {
    expect(planForward(result({}), 'frame', false, 100, 100, limits)).toEqual({ send: 'frame', heartbeat: false });
  });

  it('regions policy sends regions, but the whole frame for the first frame, too many regions or most of the frame', () => {
    expect(planForward(result({}), 'regions', false, 100, 100, limits)).toEqual({ send: 'regions', regions: [{ x: 0, y: 0, width: 10, height: 10 }] });
    expect(planForward(result({ first: true }), 'regions', false, 100, 100, limits).send).toBe('frame');
    const three = [0, 20, 40].map((x) => ({ x, y: 0, width: 10, height: 10 }));
    expect(planForward(result({ regions: three }), 'regions', false, 100, 100, limits).send).toBe('frame');
    expect(planForward(result({ regions: [{ x: 0, y: 0, width: 100, height: 60 }] }), 'regions', false, 100, 100, limits).send).toBe('frame');
  });

  it('regions policy sends a changed frame whole when a heartbeat is due (on a busy scene every frame changes)', () => {
    expect(planForward(result({}), 'regions', true, 100, 100, limits)).toEqual({ send: 'frame', heartbeat: true });
  });
});

describe('HeartbeatClock', () => {
  it('is due when no full frame went out for the interval, and never when the interval is 0', () => {
    const clock = new HeartbeatClock(10);
    expect(clock.due(0)).toBe(false);
    expect(clock.due(9.9)).toBe(false);
    expect(clock.due(10)).toBe(true);
    clock.fullFrameSent(10);
    expect(clock.due(15)).toBe(false);
    expect(new HeartbeatClock(0).due(1e9)).toBe(false);
  });
});
