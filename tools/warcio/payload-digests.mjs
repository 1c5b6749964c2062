// Reads a WARC(.gz) with warcio and prints, per record, one JSON line with the offset and length
// warcio measured, the record's type and target, the digests it declares, and a SHA-1 (base32) that
// this script computes itself over what warcio hands back as the payload (HTTP records: the bytes
// after the HTTP headers, de-chunked but not content-decoded; others: the whole block).
// Usage: node tools/warcio/payload-digests.mjs FILE
import { createReadStream } from "node:fs";
import { createHash } from "node:crypto";
import { WARCParser } from "warcio";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32(bytes) {
  let out = "", buffer = 0, bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b; bits += 8;
    while (bits >= 5) { bits -= 5; out += alphabet[(buffer >> bits) & 31]; }
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

const file = process.argv[2];
if (!file) { console.error("usage: payload-digests.mjs FILE"); process.exit(2); }
const parser = new WARCParser(createReadStream(file), { parseHttp: true });
for await (const record of parser) {
  const payload = await record.readFully(false);
  console.log(JSON.stringify({
    offset: parser.offset,
    length: parser.recordLength,
    type: record.warcType,
    uri: record.warcTargetURI ?? null,
    status: record.httpHeaders?.statusCode ?? null,
    declaredPayloadDigest: record.warcPayloadDigest ?? null,
    declaredBlockDigest: record.warcBlockDigest ?? null,
    payloadLength: payload.length,
    computedPayloadSha1: "sha1:" + base32(createHash("sha1").update(payload).digest()),
  }));
}
