/**
 * The data sets training and evaluation read: {@link fdht.train.data.IdxFile} (validated IDX
 * reader), {@link fdht.train.data.FashionMnist} (one split of Debian's {@code
 * dataset-fashion-mnist}, or a range of its images), {@link fdht.train.data.MovingFashionMnist}
 * (the MFM-40 clip generator of docs/MFM40.md) at the sizes of {@link fdht.train.data.MfmTask}
 * (MFM-40, MFM-40-UCF) over the images of a {@link fdht.train.data.MfmPart} (train, fit,
 * validation, test), and the batch interface {@link fdht.train.data.LabelledClips} filled into a
 * reusable {@link fdht.train.data.ClipBatch}. Imports only the layout module's readers.
 */
package fdht.train.data;
