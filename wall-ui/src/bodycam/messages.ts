// Every string of the body-cam page, in zh-CN and en (the browser's language; `?lang=`
// overrides). Components take their text from here only.
export interface BodycamMessages {
  title: string;
  signIn: { heading: string; unitId: string; secret: string; remember: string; submit: string; checking: string };
  errors: { refused: string; camera: string; geolocation: string; sosFailed: string; unsupported: string; videoRefused(reason: string): string; microphone: string };
  /** a video refusal by the hub's error code, in the page's language; other codes show the hub's sentence */
  videoRefusedBecause: Partial<Record<string, string>>;
  link: Record<'connecting' | 'online' | 'offline' | 'refused', string>;
  video: Record<'off' | 'starting' | 'connecting' | 'live' | 'reconnecting' | 'stopped' | 'refused', string>;
  gps: { waiting: string; fix(accuracyM: number): string; off: string };
  goLive: string;
  stop: string;
  sos: string;
  sosSending: string;
  sosSent: string;
  signOut: string;
  unitLabel(unitId: string): string;
  /** a dispatch shown to the wearer (issue 12 §1) */
  order: {
    heading: string;
    incident(id: string): string;
    distance(m: number): string;
    /** the eight compass points, clockwise from north */
    compass: readonly string[];
    towards(distance: string, point: string): string;
    noFix: string;
    accept: string;
    refuse: string;
    reasonPrompt: string;
    reasons: readonly string[];
    otherReason: string;
    sendRefusal: string;
    back: string;
    accepted: string;
    enRoute(distance: string): string;
    onScene: string;
    refused: string;
    notSent: string;
    dismiss: string;
  };
  /** verification (核查): a photo from the scene for the current dispatch */
  evidence: { capture: string; capturing: string; sent(hash: string): string; failed(reason: string): string; refusedBecause: Partial<Record<string, string>> };
  /** the SOS flow: hold, cancel window, then what the centre did */
  sosFlow: {
    hold: string;
    holding: string;
    countdown(seconds: number): string;
    cancel: string;
    cancelled: string;
    received: string;
    waitingAck: string;
    acknowledged: string;
    coming(name: string, etaSeconds: number | undefined): string;
    onScene(name: string): string;
  };
}

const minutes = (s: number) => Math.max(1, Math.round(s / 60));

const en: BodycamMessages = {
  title: 'Body cam',
  signIn: { heading: 'Sign in to the hub', unitId: 'Unit ID', secret: 'Secret', remember: 'Remember on this device', submit: 'Sign in', checking: 'Checking…' },
  errors: {
    refused: 'The hub refused this unit ID and secret. Check them, or ask the control room for a new secret.',
    camera: 'The camera could not be opened: allow camera and microphone for this page.',
    geolocation: 'Location is not available: allow location for this page.',
    sosFailed: 'SOS not confirmed by the hub yet: it is sent again when the link returns.',
    unsupported: 'This browser cannot stream video (no WebRTC).',
    videoRefused: (reason) => `The hub refused the video: ${reason}`,
    microphone: 'The microphone could not be opened: streaming video without sound. Allow the microphone for this page to be heard.',
  },
  videoRefusedBecause: {
    HUB_ERR_AUTH_INVALID: 'this unit may not stream with this secret any more (changed or disabled). Sign out and sign in with the new secret.',
    HUB_ERR_AUTH_REQUIRED: 'the unit is not signed in. Sign out and sign in again.',
    HUB_ERR_SDP_OFFER: 'this browser offered no video format the hub takes (VP8 or H.264).',
    HUB_ERR_BAD_REQUEST: 'this page sent a request the hub does not understand. Reload the page.',
  },
  link: { connecting: 'Connecting to the hub…', online: 'Connected', offline: 'No connection — retrying', refused: 'Refused' },
  video: { off: 'Camera off', starting: 'Opening the camera…', connecting: 'Connecting video…', live: 'LIVE', reconnecting: 'Video reconnecting…', stopped: 'Camera off', refused: 'Video refused' },
  gps: { waiting: 'Waiting for location…', fix: (m) => `Location ±${Math.round(m)} m`, off: 'Location off' },
  goLive: 'Go live',
  stop: 'Stop video',
  sos: 'SOS',
  sosSending: 'Sending SOS…',
  sosSent: 'SOS received by the hub',
  signOut: 'Sign out',
  unitLabel: (id) => `Unit ${id}`,
  order: {
    heading: 'Dispatch',
    incident: (id) => `Incident ${id}`,
    distance: (m) => (m >= 1000 ? `${(m / 1000).toFixed(1)} km` : `${Math.round(m)} m`),
    compass: ['north', 'north-east', 'east', 'south-east', 'south', 'south-west', 'west', 'north-west'],
    towards: (d, p) => `${d} to the ${p}`,
    noFix: 'Distance unknown: waiting for your location',
    accept: 'Accept',
    refuse: 'Refuse',
    reasonPrompt: 'Why can you not go?',
    reasons: ['On another task', 'Equipment or vehicle problem', 'Cannot get there'],
    otherReason: 'Other reason',
    sendRefusal: 'Send refusal',
    back: 'Back',
    accepted: 'Accepted',
    enRoute: (d) => `En route: ${d} to go`,
    onScene: 'On scene',
    refused: 'Refused: the control centre is told',
    notSent: 'Answer not confirmed by the hub yet: it is sent when the link returns.',
    dismiss: 'Close',
  },
  evidence: {
    capture: 'Capture evidence',
    capturing: 'Taking the photo…',
    sent: (hash) => `Photo sent to the centre (SHA-256 ${hash}…)`,
    failed: (reason) => `Photo not sent: ${reason}`,
    refusedBecause: {
      HUB_ERR_EVIDENCE_NOT_DISPATCHED: 'this unit is not on this incident any more',
      HUB_ERR_EVIDENCE_AUTH: 'this unit’s credential was refused',
      HUB_ERR_EVIDENCE_PHOTO: 'the camera gave no usable picture',
    },
  },
  sosFlow: {
    hold: 'Hold 2 s for SOS',
    holding: 'Keep holding…',
    countdown: (n) => `Sending SOS in ${n} s`,
    cancel: 'Cancel',
    cancelled: 'SOS cancelled: nothing was sent',
    received: 'SOS received by the hub',
    waitingAck: 'Waiting for the control centre…',
    acknowledged: 'Acknowledged by the control centre',
    coming: (name, eta) => (eta === undefined ? `${name} is coming` : `${name} is coming: about ${minutes(eta)} min`),
    onScene: (name) => `${name} is here`,
  },
};

const zh: BodycamMessages = {
  title: '执法记录仪',
  signIn: { heading: '登录指挥中心', unitId: '设备编号', secret: '密钥', remember: '在本设备上记住', submit: '登录', checking: '正在验证…' },
  errors: {
    refused: '指挥中心拒绝了该设备编号和密钥。请检查，或向指挥中心申请新的密钥。',
    camera: '无法打开摄像头：请允许本页面使用摄像头和麦克风。',
    geolocation: '无法获取位置：请允许本页面使用定位。',
    sosFailed: '指挥中心尚未确认收到 SOS：连接恢复后会自动重发。',
    unsupported: '此浏览器不支持视频直播（无 WebRTC）。',
    videoRefused: (reason) => `指挥中心拒绝了视频：${reason}`,
    microphone: '无法打开麦克风：正在直播无声视频。请允许本页面使用麦克风，以便指挥中心听到声音。',
  },
  videoRefusedBecause: {
    HUB_ERR_AUTH_INVALID: '该设备的密钥已更改或设备已停用，无法再用此密钥直播。请退出后用新密钥登录。',
    HUB_ERR_AUTH_REQUIRED: '设备未登录。请退出后重新登录。',
    HUB_ERR_SDP_OFFER: '此浏览器没有指挥中心支持的视频格式（VP8 或 H.264）。',
    HUB_ERR_BAD_REQUEST: '本页面发送了指挥中心无法识别的请求。请刷新页面。',
  },
  link: { connecting: '正在连接指挥中心…', online: '已连接', offline: '连接中断，正在重试', refused: '被拒绝' },
  video: { off: '摄像头已关闭', starting: '正在打开摄像头…', connecting: '正在连接视频…', live: '直播中', reconnecting: '视频正在重新连接…', stopped: '摄像头已关闭', refused: '视频被拒绝' },
  gps: { waiting: '正在定位…', fix: (m) => `定位精度 ±${Math.round(m)} 米`, off: '定位已关闭' },
  goLive: '开始直播',
  stop: '停止视频',
  sos: 'SOS 求救',
  sosSending: '正在发送 SOS…',
  sosSent: '指挥中心已收到 SOS',
  signOut: '退出登录',
  unitLabel: (id) => `设备 ${id}`,
  order: {
    heading: '派遣指令',
    incident: (id) => `事件 ${id}`,
    distance: (m) => (m >= 1000 ? `${(m / 1000).toFixed(1)} 公里` : `${Math.round(m)} 米`),
    compass: ['北', '东北', '东', '东南', '南', '西南', '西', '西北'],
    towards: (d, p) => `${p}方向 ${d}`,
    noFix: '距离未知：正在等待您的定位',
    accept: '接受',
    refuse: '拒绝',
    reasonPrompt: '无法前往的原因？',
    reasons: ['正在执行其他任务', '装备或车辆故障', '无法到达'],
    otherReason: '其他原因',
    sendRefusal: '发送拒绝',
    back: '返回',
    accepted: '已接受',
    enRoute: (d) => `前往途中：还有 ${d}`,
    onScene: '已到场',
    refused: '已拒绝：指挥中心已获知',
    notSent: '指挥中心尚未确认收到您的应答：连接恢复后会自动发送。',
    dismiss: '关闭',
  },
  evidence: {
    capture: '采集证据',
    capturing: '正在拍照…',
    sent: (hash) => `照片已发送至指挥中心（SHA-256 ${hash}…）`,
    failed: (reason) => `照片未发送：${reason}`,
    refusedBecause: {
      HUB_ERR_EVIDENCE_NOT_DISPATCHED: '本单位已不在此事件中',
      HUB_ERR_EVIDENCE_AUTH: '本单位的凭据被拒绝',
      HUB_ERR_EVIDENCE_PHOTO: '摄像头未给出可用画面',
    },
  },
  sosFlow: {
    hold: '长按 2 秒发送 SOS',
    holding: '请继续按住…',
    countdown: (n) => `${n} 秒后发送 SOS`,
    cancel: '取消',
    cancelled: 'SOS 已取消：未发送',
    received: '指挥中心已收到 SOS',
    waitingAck: '等待指挥中心确认…',
    acknowledged: '指挥中心已确认',
    coming: (name, eta) => (eta === undefined ? `${name} 正在赶来` : `${name} 正在赶来：约 ${minutes(eta)} 分钟`),
    onScene: (name) => `${name} 已到场`,
  },
};

export function bodycamMessages(lang = new URLSearchParams(window.location.search).get('lang') ?? navigator.language): BodycamMessages {
  return lang.toLowerCase().startsWith('zh') ? zh : en;
}
