// Message ids (JT/T 808-2019 Table 4 'message list'; 0x9101/0x9102 JT/T 1078-2016 Table 12).
export const MessageId = {
  /** 终端通用应答 */
  TerminalResponse: 0x0001,
  /** 终端心跳, empty body */
  Heartbeat: 0x0002,
  /** 终端注销, empty body */
  Logout: 0x0003,
  /** 终端注册 */
  Registration: 0x0100,
  /** 终端鉴权 */
  Authentication: 0x0102,
  /** 位置信息汇报 */
  Location: 0x0200,
  /** 位置信息查询应答 */
  LocationQueryAnswer: 0x0201,
  /** 定位数据批量上传 */
  LocationBatch: 0x0704,
  /** 平台通用应答 */
  PlatformResponse: 0x8001,
  /** 终端注册应答 */
  RegistrationResponse: 0x8100,
  /** 位置信息查询, empty body */
  LocationQuery: 0x8201,
  /** 人工确认报警消息 */
  AlarmConfirmation: 0x8203,
  /** 文本信息下发 */
  TextMessage: 0x8300,
  /** JT/T 1078 实时音视频传输请求 */
  LiveVideoRequest: 0x9101,
  /** JT/T 1078 实时音视频传输控制 */
  LiveVideoControl: 0x9102,
} as const;
export type MessageIdValue = (typeof MessageId)[keyof typeof MessageId];
