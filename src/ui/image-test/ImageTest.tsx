import { useContext, useState } from 'react';
import { DashboardContext, useDashboard, useDashboardActions } from '../../state/store';
import type { UserImageResult } from '../../state/types';
import { errorMessage } from '../../engine';
import { toDatasetImage, type PictureSubject } from '../../training/mnist-style-image';
import { useImageShape } from '../common/class-names';
import { Card } from '../common/Card';
import { ErrorNotice } from '../common/ErrorNotice';
import { FileField } from '../common/FileField';
import { UserImageGuess, UserImagePicture } from '../common/UserImage';
import { decodeImageFile } from './decode';
import { MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS_TEXT } from './image-dimensions';

/**
 * Classifies a picture from the person's computer: decoded here, turned into an image
 * of the dataset's size and channels (MNIST-style, light on dark and centred, for 28x28 grayscale), and
 * sent to the network; the layer view then shows it.
 */
export function ImageTest() {
  const actions = useDashboardActions();
  const store = useContext(DashboardContext);
  const storedImage = useDashboard((s) => s.userImage);
  /** This card's last answer; a drawing on the pad replaces the store's image, and is not shown here. */
  const [answered, setAnswered] = useState<UserImageResult | null>(null);
  const userImage = storedImage !== null && storedImage === answered ? storedImage : null;
  const hasNetwork = useDashboard((s) => s.network !== null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shape = useImageShape();
  const isMnistShape = shape.channels === 1 && shape.width === 28 && shape.height === 28;
  // Digits only for MNIST itself: another 28x28 gray set (Fashion-MNIST, letters) is prepared the same way but holds no digits.
  const subject: PictureSubject = useDashboard((s) => s.dataset.builtIn === 'mnist') ? 'digit' : 'shape';

  async function classify(file: File | undefined) {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const { rgba, width, height } = await decodeImageFile(file, subject);
      const picture = toDatasetImage(rgba, width, height, shape, subject);
      if (!picture.ok) {
        setError(picture.error);
        return;
      }
      const result = await actions.classifyImage(picture.pixels);
      if (!result.ok) setError(result.error);
      else setAnswered(store?.getState().userImage ?? null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Test an image from your computer" className="image-test-card">
      <p className="muted">
        {isMnistShape
          ? `A photo or drawing of one ${subject}. It is converted the way MNIST was made: light ${subject} on a dark background, scaled to fit 20x20 and centred by its centre of mass in 28x28.`
          : `A photo or drawing. Its centre is cropped to the dataset's shape and resized to ${shape.width}x${shape.height}, ${shape.channels === 3 ? 'in colour' : 'in gray'}.`}{' '}
        PNG, JPEG, GIF or WebP, up to{' '}
        {MAX_IMAGE_BYTES / (1024 * 1024)} MB and {MAX_IMAGE_PIXELS_TEXT}.
      </p>
      <FileField label="Image file" accept="image/png,image/jpeg,image/gif,image/webp" disabled={busy || !hasNetwork} onFile={(file) => void classify(file)} />
      <ErrorNotice message={error} />
      {userImage && !error ? (
        <div className="user-image" aria-live="polite">
          <UserImagePicture pixels={userImage.pixels} size={112} label="Your image as the network sees it" />
          <div>
            <UserImageGuess top3={userImage.top3} />
          </div>
        </div>
      ) : null}
    </Card>
  );
}
