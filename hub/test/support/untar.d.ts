/** The files of the archive by name (the ustar prefix joined to the name). */
export declare function untar(buf: Buffer): Map<string, Buffer>;
