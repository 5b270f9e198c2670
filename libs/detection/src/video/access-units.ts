/** An H.264 access unit delimiter (NAL type 9, any slice type): where the next access unit starts. */
export const ACCESS_UNIT_DELIMITER = Buffer.from([0, 0, 0, 1, 0x09, 0xf0]);

const NAL_AUD = 9;

/** Bytes of a leading AUD (4-byte start code, NAL header, one payload byte), or 0. */
function leadingAudLength(packet: Uint8Array): number {
  const fourByte = packet.length >= 6 && packet[0] === 0 && packet[1] === 0 && packet[2] === 0 && packet[3] === 1 && (packet[4] & 0x1f) === NAL_AUD;
  if (fourByte) return 6;
  const threeByte = packet.length >= 5 && packet[0] === 0 && packet[1] === 0 && packet[2] === 1 && (packet[3] & 0x1f) === NAL_AUD;
  return threeByte ? 5 : 0;
}

/**
 * What to write to a raw-H.264 ffmpeg decoder for one packet so that it outputs this packet's frame
 * at once: ffmpeg's H.264 parser closes an access unit only when it sees the start of the next one,
 * so each packet is followed by the next access unit's delimiter. The packet's own leading AUD is
 * left out except for the first packet (the one written after the previous packet already opened
 * this access unit): two AUDs in a row would be an empty access unit ("missing picture").
 */
export function delimitedAccessUnit(packet: Uint8Array, first: boolean): Buffer[] {
  const body = first ? packet : packet.subarray(leadingAudLength(packet));
  return [Buffer.from(body.buffer, body.byteOffset, body.byteLength), ACCESS_UNIT_DELIMITER];
}
