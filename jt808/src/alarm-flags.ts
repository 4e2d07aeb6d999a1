// The alarm flag bits of 0x0200 (JT/T 808-2019 Table 24; bits 12-14 and 29-31 since 2013, bits
// 15-17 reserved). `clearedByConfirmation`: the standard says the terminal clears the bit
// only when the platform answers ("收到应答后清零", 0x8203 or 0x8001 result 4); the others
// clear when the condition ends.

export interface AlarmFlag {
  bit: number;
  /** stable code, e.g. for the hub's device alarm `code` */
  code: string;
  en: string;
  zhCN: string;
  /** the hub's alarm type: bit 0 is the emergency button, SOS; all others are device alarms */
  type: 'sos' | 'device';
  clearedByConfirmation: boolean;
}

const flag = (bit: number, code: string, en: string, zhCN: string, clearedByConfirmation = false): AlarmFlag => ({ bit, code, en, zhCN, type: bit === 0 ? 'sos' : 'device', clearedByConfirmation });

export const ALARM_FLAGS: readonly AlarmFlag[] = [
  flag(0, 'emergency', 'Emergency (SOS button)', '紧急报警', true),
  flag(1, 'overspeed', 'Overspeed', '超速报警'),
  flag(2, 'fatigue_driving', 'Fatigue driving', '疲劳驾驶报警'),
  flag(3, 'danger_warning', 'Danger warning', '危险预警', true),
  flag(4, 'gnss_fault', 'GNSS module fault', 'GNSS模块发生故障'),
  flag(5, 'gnss_antenna_cut', 'GNSS antenna disconnected or cut', 'GNSS天线未接或被剪断'),
  flag(6, 'gnss_antenna_short', 'GNSS antenna short circuit', 'GNSS天线短路'),
  flag(7, 'power_low', 'Main power undervoltage', '终端主电源欠压'),
  flag(8, 'power_cut', 'Main power cut', '终端主电源掉电'),
  flag(9, 'display_fault', 'Display fault', '终端LCD或显示器故障'),
  flag(10, 'tts_fault', 'TTS module fault', 'TTS模块故障'),
  flag(11, 'camera_fault', 'Camera fault', '摄像头故障'),
  flag(12, 'ic_card_fault', 'Transport IC card module fault', '道路运输证IC卡模块故障'),
  flag(13, 'overspeed_warning', 'Overspeed warning', '超速预警'),
  flag(14, 'fatigue_warning', 'Fatigue driving warning', '疲劳驾驶预警'),
  flag(18, 'driving_overtime_today', 'Driving time exceeded today', '当天累计驾驶超时'),
  flag(19, 'parking_overtime', 'Parked too long', '超时停车'),
  flag(20, 'area_in_out', 'Entered or left an area', '进出区域', true),
  flag(21, 'route_in_out', 'Entered or left a route', '进出路线', true),
  flag(22, 'route_time', 'Route section time too short or too long', '路段行驶时间不足/过长', true),
  flag(23, 'route_deviation', 'Off route', '路线偏离报警'),
  flag(24, 'vss_fault', 'Vehicle speed sensor (VSS) fault', '车辆VSS故障'),
  flag(25, 'fuel_abnormal', 'Abnormal fuel level', '车辆油量异常'),
  flag(26, 'theft', 'Vehicle stolen (anti-theft device)', '车辆被盗'),
  flag(27, 'illegal_ignition', 'Illegal ignition', '车辆非法点火', true),
  flag(28, 'illegal_movement', 'Illegal movement', '车辆非法位移', true),
  flag(29, 'collision_warning', 'Collision warning', '碰撞预警'),
  flag(30, 'rollover_warning', 'Rollover warning', '侧翻预警'),
  flag(31, 'illegal_door_open', 'Door opened illegally', '非法开门报警'),
];

const BY_BIT = new Map(ALARM_FLAGS.map((f) => [f.bit, f]));

/** The flags set in a 0x0200 alarm DWORD, lowest bit first; reserved bits that are set come as `bit_<n>` device alarms. */
export function alarmFlagsOf(alarm: number): AlarmFlag[] {
  const set: AlarmFlag[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if (((alarm >>> bit) & 1) === 0) continue;
    set.push(BY_BIT.get(bit) ?? flag(bit, `bit_${bit}`, `Reserved alarm bit ${bit}`, `保留报警位 ${bit}`));
  }
  return set;
}

/** The bits of `alarm` the terminal keeps set until the platform confirms them (for 0x8203's alarm type). */
export function bitsNeedingConfirmation(alarm: number): number {
  let bits = 0;
  for (const f of alarmFlagsOf(alarm)) if (f.clearedByConfirmation) bits |= 1 << f.bit;
  return bits >>> 0;
}
