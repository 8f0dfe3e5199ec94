/**
 * The data sets training and evaluation read: {@link fdht.train.data.IdxFile} (validated IDX
 * reader), {@link fdht.train.data.FashionMnist} (one split of Debian's {@code
 * dataset-fashion-mnist}), {@link fdht.train.data.MovingFashionMnist} (the MFM-40 clip generator of
 * DESIGN.md section 6), and the batch interface {@link fdht.train.data.LabelledClips} filled into a
 * reusable {@link fdht.train.data.ClipBatch}.
 */
package fdht.train.data;
