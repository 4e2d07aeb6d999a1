// The map's own strings, en and zh-CN, until they join the wall's message files
// (wall-ui/src/wall/i18n). The language follows <html lang>.
const en = {
  'map.unit.type.vehicle': 'Vehicle',
  'map.unit.type.bodycam': 'Body cam',
  'map.unit.status.online': 'Online',
  'map.unit.status.offline': 'Offline',
  'map.unit.status.alarming': 'Alarm',
  'map.unit.status.assigned': 'Dispatched',
  'map.unit.speed': 'Speed',
  'map.unit.heading': 'Heading',
  'map.unit.battery': 'Battery',
  'map.unit.lastFix': 'Last fix',
  'map.unit.noFix': 'no position yet',
  'map.unit.team': 'Team',
  'map.unit.openCamera': 'Open camera',
  'map.connection.connecting': 'Connecting…',
  'map.connection.live': 'Live',
  'map.connection.reconnecting': 'Reconnecting…',
  'map.connection.unauthorized': 'Session ended: log in again',
  'map.connection.closed': 'Disconnected',
  'map.basemap.offline': 'Offline basemap',
  'map.basemap.geojsonMissing': 'Basemap file not readable',
} as const;

export type MapMessageKey = keyof typeof en;

const zhCN: Record<MapMessageKey, string> = {
  'map.unit.type.vehicle': '车辆',
  'map.unit.type.bodycam': '执法记录仪',
  'map.unit.status.online': '在线',
  'map.unit.status.offline': '离线',
  'map.unit.status.alarming': '报警',
  'map.unit.status.assigned': '已派遣',
  'map.unit.speed': '速度',
  'map.unit.heading': '方向',
  'map.unit.battery': '电量',
  'map.unit.lastFix': '最后定位',
  'map.unit.noFix': '暂无位置',
  'map.unit.team': '小组',
  'map.unit.openCamera': '打开摄像头',
  'map.connection.connecting': '正在连接…',
  'map.connection.live': '实时',
  'map.connection.reconnecting': '正在重新连接…',
  'map.connection.unauthorized': '会话已结束：请重新登录',
  'map.connection.closed': '已断开',
  'map.basemap.offline': '离线底图',
  'map.basemap.geojsonMissing': '底图文件无法读取',
};

export const mapMessages = { en, 'zh-CN': zhCN };

export function mt(key: MapMessageKey): string {
  const lang = typeof document !== 'undefined' ? document.documentElement.lang : 'en';
  return (lang.toLowerCase().startsWith('zh') ? zhCN[key] : en[key]) ?? key;
}
