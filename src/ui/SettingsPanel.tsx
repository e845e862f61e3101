// The run's settings: a preset and the main hyperparameters, editable before a run and read-only
// during it. Valid edits are applied to the worker (and written to the URL) as they are made.
import { useEffect } from 'react';
import { CONFIG_FIELDS, CONFIG_KEYS, PRESETS, type IJepaConfig, type PresetName, type Range } from '../ijepa/config';
import { PLANNED_MINUTES, type RecipeName } from '../ijepa/recipe';
import { useAppStore, useIsRunLocked } from '../store/appStore';
import { actions } from '../store/trainerConnection';
import { CHOICE_KEYS, CHOICES, type ChoiceKey } from './settingChoices';

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
  const { config, preset, recipe, configProblems, setField, setPreset, setRecipe } = useAppStore();
  const locked = useIsRunLocked();
  const ready = useAppStore((s) => s.workerReady);
  const applied = useAppStore((s) => s.appliedConfig);

  useEffect(() => {
    if (!ready || locked || configProblems.length > 0 || JSON.stringify(config) === applied) return;
    const timer = window.setTimeout(() => void actions.applySettings(), 250);
    return () => window.clearTimeout(timer);
  }, [config, configProblems, ready, locked, applied]);

  const choiceField = (key: ChoiceKey) => (
    <label key={key} title={CHOICES[key].title}>
      <span>{CONFIG_FIELDS[key].form!.label}</span>{' '}
      <select
        data-testid={CHOICES[key].testId}
        value={config[key]}
        disabled={locked}
        onChange={(e) => setField(key, e.target.value as IJepaConfig[ChoiceKey])}
      >
        {Object.entries(CHOICES[key].options).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );

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
        <label title="Choosing a recipe (or a preset) lays out its settings again; edit any field after">
          <span>Recipe</span>{' '}
          <select data-testid="recipe-select" value={recipe} disabled={locked} onChange={(e) => setRecipe(e.target.value as RecipeName)}>
            <option value="browser">browser (learns on a few thousand images in minutes)</option>
            <option value="reference">reference (the released configs' settings)</option>
          </select>
        </label>
        {CHOICE_KEYS.map(choiceField)}
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
      <p className="muted" data-testid="recipe-note">
        {recipe === 'browser'
          ? `Browser recipe: the run is planned to about ${PLANNED_MINUTES} minutes at the speed measured here, the peak learning rate is scaled down to the batch (${config.lr.toPrecision(2)} at ${config.batchSize} images a step; the reference's 1e-3 is for 2,048), the predictor is as wide as the encoder (${config.predEmbedDim}, ${config.predDepth} blocks) and crops are stronger (${config.cropScale[0]}-${config.cropScale[1]}): with the reference's settings a few thousand images end worse than the random encoder (docs/LEARNING.md).`
          : "Reference recipe: the released configs' optimisation and crops (lr 1e-3 after warm-up, EMA 0.996 to 1, crop scale 0.3-1) over the preset's planned steps."}
      </p>
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
