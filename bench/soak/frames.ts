// Hand-built Produce v7 frames for the soak bench: a request, and its response with one error code in four.
const CODES = [0, 6, 10, 0, 3, 0, 21, 0];

/** A Produce v7 request head (its body does not matter to the capture). */
export function produceRequest(correlationId: number): Buffer {
  const id = Buffer.from('soak');
  const frame = Buffer.alloc(4 + 8 + 2 + id.length + 4);
  frame.writeInt32BE(frame.length - 4, 0);
  frame.writeInt16BE(0, 4); // Produce
  frame.writeInt16BE(7, 6);
  frame.writeInt32BE(correlationId | 0, 8);
  frame.writeInt16BE(id.length, 12);
  id.copy(frame, 14);
  return frame;
}

/** The Produce v7 response to `correlationId`: one topic, one partition, a code that cycles through CODES. */
export function produceResponse(correlationId: number): Buffer {
  const topic = Buffer.from('orders');
  const body = Buffer.alloc(4 + 4 + 2 + topic.length + 4 + 4 + 2 + 8 + 8 + 8 + 4);
  let at = body.writeInt32BE(correlationId | 0, 0);
  at = body.writeInt32BE(1, at); // one topic
  at = body.writeInt16BE(topic.length, at);
  at += topic.copy(body, at);
  at = body.writeInt32BE(1, at); // one partition
  at = body.writeInt32BE(0, at);
  at = body.writeInt16BE(CODES[correlationId % CODES.length]!, at);
  at = body.writeBigInt64BE(-1n, at); // base offset
  at = body.writeBigInt64BE(-1n, at); // log append time
  at = body.writeBigInt64BE(0n, at); // log start offset
  body.writeInt32BE(0, at); // throttle time
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}
