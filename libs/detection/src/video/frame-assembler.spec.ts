import { FrameAssembler } from './frame-assembler';

describe('FrameAssembler', () => {
  it('hands out the unfilled rest of the frame and the whole frame once full, in a fresh buffer each time', () => {
    const frames = new FrameAssembler(6);
    const first = frames.target();
    expect(first.length).toBe(6);
    first.set([1, 2, 3, 4]);
    expect(frames.took(4)).toBeUndefined();
    expect(frames.pending).toBe(4);
    const rest = frames.target();
    expect(rest.length).toBe(2);
    rest.set([5, 6]);
    const done = frames.took(2);
    expect(done && [...done]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(frames.pending).toBe(0);
    // The next frame goes elsewhere: the frame handed out is never written again.
    frames.target().fill(9);
    expect([...done!]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads into the frame buffer itself (no intermediate chunk), one allocation per frame', () => {
    const allocated: Buffer[] = [];
    const frames = new FrameAssembler(4, (n) => {
      const b = Buffer.alloc(n);
      allocated.push(b);
      return b;
    });
    frames.target()[0] = 7;
    frames.took(1);
    frames.target().set([8, 9, 10]);
    expect(frames.took(3)).toBe(allocated[0]);
    expect([...allocated[0]]).toEqual([7, 8, 9, 10]);
    expect(allocated).toHaveLength(2);
  });

  it('refuses a read longer than what is left of the frame, or a bad size', () => {
    const frames = new FrameAssembler(4);
    frames.took(3);
    expect(() => frames.took(2)).toThrow(/does not fit the 1 left/);
    expect(() => frames.took(-1)).toThrow();
    expect(() => new FrameAssembler(0)).toThrow(/positive/);
  });
});
