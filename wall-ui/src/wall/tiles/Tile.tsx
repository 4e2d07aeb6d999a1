// One tile of the video wall: a unit's camera with its overlay (unit, state, bitrate, delay).
// Takes a unit dropped from the unit list or the map; double-click enlarges it.
import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n';
import { useUnitStream } from './useUnitStream';

/** The drag payload type a unit carries from the list or the map onto a tile. */
export const UNIT_DRAG_TYPE = 'application/x-hub-unit-id';

export interface TileProps {
  index: number;
  unitId: string | null;
  unitName?: string;
  enlarged: boolean;
  onDropUnit(unitId: string): void;
  onClear(): void;
  onToggleEnlarge(): void;
}

export function Tile({ index, unitId, unitName, enlarged, onDropUnit, onClear, onToggleEnlarge }: TileProps) {
  const t = useT();
  const video = useRef<HTMLVideoElement>(null);
  const { state, detail, figures } = useUnitStream(unitId, video);
  const [over, setOver] = useState(false);
  // a wall must not play every tile's microphone: muted until the coordinator asks for one
  const [muted, setMuted] = useState(true);
  useEffect(() => setMuted(true), [unitId]);
  useEffect(() => {
    const el = video.current;
    if (!el) return;
    el.muted = muted;
    if (!muted) void el.play().catch(() => {});
  }, [muted, unitId]);

  return (
    <div
      className={`tile tile-${state}${enlarged ? ' tile-enlarged' : ''}${over ? ' tile-drop' : ''}`}
      data-testid="tile"
      data-tile-index={index}
      data-unit-id={unitId ?? ''}
      data-state={state}
      data-frames={figures?.framesDecoded ?? 0}
      data-muted={muted}
      onDoubleClick={onToggleEnlarge}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes(UNIT_DRAG_TYPE)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const id = e.dataTransfer.getData(UNIT_DRAG_TYPE);
        if (id) onDropUnit(id);
      }}
    >
      <video ref={video} muted playsInline autoPlay />
      {unitId ? (
        <div className="tile-overlay">
          <div className="tile-top">
            <span className="tile-unit">{unitName ?? unitId}</span>
            <span className={`tile-state state-${state}`}>{t(`tile.state.${state}`)}</span>
            {figures?.hasAudio && (
              <button
                className="tile-close tile-sound"
                data-testid="tile-sound"
                title={muted ? t('tile.unmute') : t('tile.mute')}
                aria-pressed={!muted}
                onClick={() => setMuted((m) => !m)}
                onDoubleClick={(e) => e.stopPropagation()}
              >
                {muted ? '🔇' : '🔊'}
              </button>
            )}
            <button className="tile-close" title={t('tile.close')} onClick={onClear}>
              ×
            </button>
          </div>
          <div className="tile-bottom">
            {figures && state === 'live' && (
              <>
                <span>{t('tile.bitrate', { kbps: figures.bitrateKbps })}</span>
                {figures.estimatedDelayMs !== null ? (
                  <span title={t('tile.delayEstimateHint')}>{t('tile.delayEstimate', { ms: figures.estimatedDelayMs })}</span>
                ) : (
                  figures.delayMs !== null && <span>{t('tile.delay', { ms: figures.delayMs })}</span>
                )}
                <span>{t('tile.size', { w: figures.width, h: figures.height, fps: figures.fps })}</span>
              </>
            )}
            {detail && state !== 'live' && <span className="tile-detail">{detail}</span>}
          </div>
        </div>
      ) : (
        <div className="tile-empty">{t('tile.empty')}</div>
      )}
    </div>
  );
}
