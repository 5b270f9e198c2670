/** NAL unit types of an Annex-B H.264 access unit (a `FrameMessage.packet`), in order. */
export function nalTypes(packet: Uint8Array): number[] {
  const types: number[] = [];
  for (let i = 0; i + 3 < packet.length; i++) {
    if (packet[i] === 0 && packet[i + 1] === 0 && packet[i + 2] === 1) {
      types.push(packet[i + 3] & 0x1f);
      i += 3;
    }
  }
  return types;
}

/** An access unit holding an IDR slice (NAL type 5) decodes on its own. */
export function isKeyframe(packet: Uint8Array): boolean {
  return nalTypes(packet).includes(5);
}
