import { describe, expect, it } from 'vitest';
import { BatchType, decodeBody, decodeFrame, encodeMessage, GeneralResult, MessageId, readKnownItems, RegistrationResult, type DecodedBody } from '@hub/jt808';
import { bytes, GO_JT808, TRACCAR, XTREAM } from './data/captures';

const body = (hex: string): DecodedBody => decodeBody(decodeFrame(bytes(hex)));

describe('terminal messages from real captures', () => {
  it('reads a 2013 header: id, 12-digit phone, serial, no version', () => {
    const { header } = decodeFrame(bytes(TRACCAR.heartbeat));
    expect(header).toEqual({ messageId: MessageId.Heartbeat, encryption: 0, phone: '043048325465', serial: 0xb7 });
  });

  it('reads a 2019 header: version flag, protocol version, 20-digit phone', () => {
    const { header } = decodeFrame(bytes(GO_JT808.location2019));
    expect(header).toEqual({ messageId: MessageId.Location, encryption: 0, protocolVersion: 1, phone: '00000000017299841738', serial: 0xffff });
  });

  it('0x0100 in the 2011, 2013 and 2019 widths, plates in GBK', () => {
    expect(body(TRACCAR.registration2011)).toEqual({
      messageId: 0x0100,
      body: { edition: 2011, province: 44, city: 303, manufacturer: '70111', model: 'BSJ-M7B ', terminalId: '0000000', plateColour: 1, plate: '粤B88888' },
    });
    expect(body(TRACCAR.registration2013).body).toMatchObject({ edition: 2013, manufacturer: '70107', model: 'HB-R03GBD', terminalId: '2366104', plateColour: 2, plate: '苏BA6860' });
    expect(body(GO_JT808.registration2019).body).toMatchObject({
      edition: 2019,
      province: 31,
      city: 115,
      manufacturer: 'cd',
      model: 'www.808.com',
      terminalId: '7654321',
      plateColour: 1,
      plate: '测A1234',
    });
  });

  it('0x0102 before 2019 (the code only) and in 2019 (code, IMEI, software version)', () => {
    expect(body(TRACCAR.authentication).body).toEqual({ authCode: 'authentication' });
    expect(body(GO_JT808.authentication2019).body).toEqual({ authCode: '17299841738', imei: '123456789012345', softwareVersion: '3.7.15' });
  });

  it('0x0200: flags, signed coordinates, units, GMT+8 time as UTC, additional items', () => {
    const d = body(TRACCAR.locationFuel);
    if (d.messageId !== MessageId.Location) throw new Error('not a location');
    expect(d.body).toMatchObject({ alarm: 0, status: 0xc2, latitude: 22.6426, longitude: 114.032984, altitude: 128, speedKmh: 0, direction: 8 });
    // 150818072121 in GMT+8
    expect(d.body.time?.toISOString()).toBe('2015-08-17T23:21:21.000Z');
    expect(readKnownItems(d.body.items)).toEqual({ mileageKm: 75.7, fuelL: 0, recorderSpeedKmh: 0 });
  });

  it('0x0200 keeps unknown additional items raw by id', () => {
    const d = body(TRACCAR.locationAlarm);
    if (d.messageId !== MessageId.Location) throw new Error('not a location');
    expect(d.body.alarm).toBe(1 << 7);
    expect(d.body.items.map((i) => i.id)).toEqual([0x01, 0xeb]);
    expect(d.body.items[1]!.value.toString('hex')).toBe('000c00b28986047701207027150200060089ffffefff0004002d0e10000600c5ffffffef');
  });

  it('0x0704 blind-area batch: its type and every position', () => {
    const d = body(TRACCAR.batch);
    if (d.messageId !== MessageId.LocationBatch) throw new Error('not a batch');
    expect(d.body.type).toBe(BatchType.blindArea);
    expect(d.body.locations).toHaveLength(8);
    expect(d.body.refused).toEqual([]);
    expect(d.body.locations.map((l) => l.time?.toISOString())).toEqual([
      '2016-05-27T01:06:24.000Z',
      '2016-05-27T01:06:53.000Z',
      '2016-05-27T01:07:27.000Z',
      '2016-05-27T01:07:56.000Z',
      '2016-05-27T01:08:30.000Z',
      '2016-05-27T01:09:00.000Z',
      '2016-05-27T01:09:33.000Z',
      '2016-05-27T01:10:02.000Z',
    ]);
  });

  it('0x0704 keeps the good positions when one item carries an impossible date', () => {
    const batch = bytes(GO_JT808.batch2013);
    const frame = decodeFrame(batch);
    // item 2's time (8 bytes from the end of the body): month 13
    frame.body[frame.body.length - 5] = 0x13;
    const d = decodeBody(frame);
    if (d.messageId !== MessageId.LocationBatch) throw new Error('not a batch');
    expect(d.body.locations).toHaveLength(2);
    expect(d.body.refused.map((r) => [r.index, r.error.reason])).toEqual([[2, 'bad_field']]);
  });

  it('0x0201 position query answer: the answered serial and a location', () => {
    const location = decodeFrame(bytes(TRACCAR.locationFuel));
    const frame = Buffer.concat([Buffer.of(0x01, 0x02), location.body]);
    const answer = decodeBody({ header: { ...location.header, messageId: MessageId.LocationQueryAnswer }, body: frame });
    expect(answer).toMatchObject({ messageId: 0x0201, body: { answeredSerial: 0x0102, location: { latitude: 22.6426, longitude: 114.032984 } } });
  });

  it('0x0001 terminal general response', () => {
    const frame = encodeMessage({ messageId: MessageId.TerminalResponse, phone: '013511221122', serial: 9 }, { answeredSerial: 7, answeredMessageId: MessageId.TextMessage, result: GeneralResult.ok });
    expect(body(frame.toString('hex'))).toEqual({ messageId: 1, body: { answeredSerial: 7, answeredMessageId: 0x8300, result: 0 } });
  });

  it('refuses an id it has no codec for, and an encrypted body', () => {
    const { header } = decodeFrame(bytes(TRACCAR.heartbeat));
    expect(() => decodeBody({ header: { ...header, messageId: 0x0900 }, body: Buffer.alloc(0) })).toThrow(
      expect.objectContaining({ reason: 'unsupported_message', code: 'HUB_ERR_JT808_UNSUPPORTED_MESSAGE' }),
    );
    expect(() => decodeBody({ header: { ...header, encryption: 1 }, body: Buffer.alloc(0) })).toThrow(expect.objectContaining({ reason: 'encrypted' }));
  });
});

describe('platform messages, byte for byte as other platforms send them', () => {
  const v2019 = { protocolVersion: 1, phone: '00000000017299841738', serial: 0 };

  it('0x8100 registration response with its authentication code', () => {
    expect(encodeMessage({ ...v2019, messageId: MessageId.RegistrationResponse }, { answeredSerial: 0, result: RegistrationResult.ok, authCode: '17299841738' }).toString('hex')).toBe(
      GO_JT808.registrationResponse2019,
    );
  });

  it('0x8100 refusing an unknown vehicle carries no code', () => {
    const frame = encodeMessage({ messageId: MessageId.RegistrationResponse, phone: '013511221122', serial: 1 }, { answeredSerial: 5, result: RegistrationResult.noSuchVehicle, authCode: 'ignored' });
    expect(decodeFrame(frame).body.toString('hex')).toBe('000502');
  });

  it('0x8001 platform general response', () => {
    expect(encodeMessage({ ...v2019, messageId: MessageId.PlatformResponse }, { answeredSerial: 0, answeredMessageId: MessageId.Authentication, result: GeneralResult.ok }).toString('hex')).toBe(
      GO_JT808.authenticationResponse2019,
    );
  });

  const xtream2019 = { protocolVersion: 1, phone: '00000000013912344329', serial: 0 };
  it('0x8201 position query, 0x8203 alarm confirmation', () => {
    expect(encodeMessage({ ...xtream2019, messageId: MessageId.LocationQuery }, {}).toString('hex')).toBe(XTREAM.locationQuery2019);
    expect(encodeMessage({ ...xtream2019, messageId: MessageId.AlarmConfirmation }, { alarmSerial: 321, alarmTypes: 0x10200000 }).toString('hex')).toBe(XTREAM.alarmConfirmation2019);
  });

  it('0x8300 text message in GBK, 2013 and 2019 (text type)', () => {
    const text = 'HelloWorld 汉字 GBK 编码';
    expect(encodeMessage({ messageId: MessageId.TextMessage, phone: '013912344323', serial: 0 }, { flags: 1, text }).toString('hex')).toBe(XTREAM.text2013);
    expect(encodeMessage({ ...xtream2019, messageId: MessageId.TextMessage }, { flags: 1, textType: 1, text }).toString('hex')).toBe(XTREAM.text2019);
  });

  it('0x9101 real-time AV request and 0x9102 control (JT/T 1078-2016 Tables 17 and 19)', () => {
    const request = encodeMessage(
      { messageId: MessageId.LiveVideoRequest, phone: '013912344323', serial: 3 },
      { serverAddress: '10.0.0.5', tcpPort: 7611, udpPort: 0, channel: 2, dataType: 1, streamType: 0 },
    );
    // length 8, "10.0.0.5", 0x1DBB, 0x0000, channel 2, video only, main stream
    expect(decodeFrame(request).body.toString('hex')).toBe('0831302e302e302e351dbb0000020100');
    const control = encodeMessage({ messageId: MessageId.LiveVideoControl, phone: '013912344323', serial: 4 }, { channel: 2, command: 0, closeType: 0, switchTo: 0 });
    expect(decodeFrame(control).body.toString('hex')).toBe('02000000');
  });
});
