import { useContext, useId, useState } from 'react';
import { DashboardContext, useDashboard, useDashboardActions } from '../../state/store';
import type { UserImageResult } from '../../state/types';
import { toMnistStyle } from '../../training/mnist-style-image';
import { Card } from '../common/Card';
import { GrayscaleCanvas } from '../common/GrayscaleCanvas';
import { ProbabilityBars } from '../common/ProbabilityBars';
import { decodeImageFile } from './decode';
import { MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS_TEXT } from './image-dimensions';

const PIXEL_RANGE = { min: 0, max: 255 };

/**
 * Classifies a picture from the person's computer: decoded here, turned into an
 * MNIST-style 28x28 digit, and sent to the network; the layer view then shows it.
 */
export function ImageTest() {
  const actions = useDashboardActions();
  const store = useContext(DashboardContext);
  const storedImage = useDashboard((s) => s.userImage);
  /** This card's last answer; a drawing on the pad replaces the store's image, and is not shown here. */
  const [answered, setAnswered] = useState<UserImageResult | null>(null);
  const userImage = storedImage !== null && storedImage === answered ? storedImage : null;
  const hasNetwork = useDashboard((s) => s.network !== null);
  const inputId = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function classify(file: File | undefined) {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const { rgba, width, height } = await decodeImageFile(file);
      const digit = toMnistStyle(rgba, width, height);
      if (!digit.ok) {
        setError(digit.error);
        return;
      }
      const result = await actions.classifyImage(digit.pixels);
      if (!result.ok) setError(result.error);
      else setAnswered(store?.getState().userImage ?? null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const guess = userImage?.top3[0];
  return (
    <Card title="Test an image from your computer" className="image-test-card">
      <p className="muted">
        A photo or drawing of one digit. It is converted the way MNIST was made: light digit on a dark background,
        scaled to fit 20x20 and centred by its centre of mass in 28x28. PNG, JPEG, GIF or WebP, up to{' '}
        {MAX_IMAGE_BYTES / (1024 * 1024)} MB and {MAX_IMAGE_PIXELS_TEXT}.
      </p>
      <div className="field">
        <label htmlFor={inputId}>Image file</label>
        <input
          id={inputId}
          type="file"
          accept="image/png,image/jpeg,image/gif,image/webp"
          disabled={busy || !hasNetwork}
          onChange={(e) => {
            void classify(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
      </div>
      {error ? (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      ) : null}
      {userImage && !error ? (
        <div className="user-image" aria-live="polite">
          <GrayscaleCanvas
            values={userImage.pixels}
            width={28}
            height={28}
            scale={4}
            range={PIXEL_RANGE}
            label="Your image as the network sees it"
          />
          <div>
            <p className="user-image__guess">
              Prediction: <strong>{guess ? guess.label : '?'}</strong>
            </p>
            <ProbabilityBars top={userImage.top3} />
          </div>
        </div>
      ) : null}
    </Card>
  );
}
