// The run's settings: a preset and the main hyperparameters, editable before a run and read-only
// during it. Valid edits are applied to the worker (and written to the URL) as they are made.
import { useEffect } from 'react';
import { CONFIG_FIELDS, CONFIG_KEYS, PRESETS, type IJepaConfig, type PresetName, type Range } from '../ijepa/config';
import { useAppStore, useIsRunLocked } from '../store/appStore';
import { actions } from '../store/trainerConnection';

type NumberKey = { [K in keyof IJepaConfig]: IJepaConfig[K] extends number ? K : never }[keyof IJepaConfig];
type RangeKey = { [K in keyof IJepaConfig]: IJepaConfig[K] extends Range ? K : never }[keyof IJepaConfig];

/** The form's fieldsets, from the config table (src/ijepa/config.ts): numbers, then ranges. */
const GROUPS = (['Images and model', 'Optimisation', 'Masks and crops'] as const).map((title) => {
  const keys = CONFIG_KEYS.filter((key) => CONFIG_FIELDS[key].form?.group === title);
  const label = (key: keyof IJepaConfig) => CONFIG_FIELDS[key].form!.label;
  return {
    title,
    numbers: keys
      .filter((key): key is NumberKey => typeof PRESETS.micro[key] === 'number')
      .map((key) => [key, label(key), CONFIG_FIELDS[key].form!.step ?? 1] as [NumberKey, string, number]),
    ranges: keys.filter((key): key is RangeKey => Array.isArray(PRESETS.micro[key])).map((key) => [key, label(key)] as [RangeKey, string]),
  };
});

export function SettingsPanel() {
  const { config, preset, configProblems, setField, setPreset } = useAppStore();
  const locked = useIsRunLocked();
  const ready = useAppStore((s) => s.workerReady);
  const applied = useAppStore((s) => s.appliedConfig);

  useEffect(() => {
    if (!ready || locked || configProblems.length > 0 || JSON.stringify(config) === applied) return;
    const timer = window.setTimeout(() => void actions.applySettings(), 250);
    return () => window.clearTimeout(timer);
  }, [config, configProblems, ready, locked, applied]);

  const numberField = ([key, label, step]: [NumberKey, string, number]) => (
    <label key={key}>
      <span>{label}</span>
      <input
        type="number"
        data-testid={`setting-${key}`}
        value={config[key]}
        step={step}
        disabled={locked}
        onChange={(e) => setField(key, e.target.value === '' ? Number.NaN : Number(e.target.value))}
      />
    </label>
  );
  const rangeField = ([key, label]: [RangeKey, string]) => (
    <label key={key} className="range-field">
      <span>{label}</span>
      {[0, 1].map((i) => (
        <input
          key={i}
          type="number"
          step={0.01}
          data-testid={`setting-${key}-${i}`}
          value={config[key][i]}
          disabled={locked}
          aria-label={`${label} ${i === 0 ? 'from' : 'to'}`}
          onChange={(e) => {
            const next = [...config[key]] as [number, number];
            next[i] = e.target.value === '' ? Number.NaN : Number(e.target.value);
            setField(key, next);
          }}
        />
      ))}
    </label>
  );

  return (
    <section className="panel settings-panel" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <div className="row">
        <label>
          <span>Preset</span>{' '}
          <select data-testid="preset-select" value={preset} disabled={locked} onChange={(e) => setPreset(e.target.value as PresetName)}>
            {(Object.keys(PRESETS) as PresetName[]).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Loss</span>{' '}
          <select value={config.loss} disabled={locked} onChange={(e) => setField('loss', e.target.value as IJepaConfig['loss'])}>
            <option value="smoothL1">smooth L1 (reference code)</option>
            <option value="mse">L2 (paper)</option>
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={config.randomResizedCrop}
            disabled={locked}
            onChange={(e) => setField('randomResizedCrop', e.target.checked)}
          />{' '}
          RandomResizedCrop
        </label>
      </div>
      {locked && <p className="muted">Settings are read-only during a run. Reset to change them.</p>}
      {configProblems.length > 0 && (
        <ul className="config-problems" role="alert" data-testid="config-problems">
          {configProblems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {GROUPS.map((group) => (
        <fieldset key={group.title}>
          <legend>{group.title}</legend>
          <div className="fields">
            {group.numbers.map(numberField)}
            {group.ranges.map(rangeField)}
          </div>
        </fieldset>
      ))}
    </section>
  );
}
