import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * SHA-256 of a string's UTF-8 bytes as lowercase hex, in plain JavaScript: the browser doors'
 * hashing primitive (node:crypto is Node's only, and Web Crypto's digest is asynchronous while the
 * domain hashes synchronously). Equal to runtime.ts's `sha256Hex` for every string (a test checks).
 */
export const sha256HexPortable = (text: string): string => bytesToHex(sha256(utf8ToBytes(text)));
