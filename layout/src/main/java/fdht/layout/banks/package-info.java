/**
 * The accelerator's banked memory as layouts: which bank and address every element of a stage's
 * buffer lives at ({@link fdht.layout.banks.BankedLayout}, {@link fdht.layout.banks.SkewedBanks},
 * {@link fdht.layout.banks.LaneBanks} for the CPU's lane layout), and the conflict reports that
 * check them. Imports {@code fdht.layout} and the JDK.
 */
package fdht.layout.banks;
