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
}

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
};

export function bodycamMessages(lang = new URLSearchParams(window.location.search).get('lang') ?? navigator.language): BodycamMessages {
  return lang.toLowerCase().startsWith('zh') ? zh : en;
}
