// Package disclosure applies statistical disclosure control to the tables
// of counts that leave the observatory (children by territory × sex × age
// band, and so on), so that no published figure identifies a child.
//
// A Table is a complete hypercube over 1 to 4 dimensions whose values all
// include the margin export.Total ("Ensemble"): along every line the total
// cell equals the sum of the others. New checks this.
//
// # Protection
//
// Protect works in three steps.
//
//  1. Primary suppression: every published cell with 0 < value < threshold
//     becomes export.Primary ("A"). Zeros stay published.
//  2. Secondary suppression by hypercubes (the method of GHMITER, used by
//     τ-ARGUS for frequency tables). For each primary cell p and each
//     choice of one other value per dimension, the 2^k cells combining p's
//     values with the chosen ones form a hypercube. Giving its corners
//     signs ±1 (flipping the sign along a dimension unless one of the two
//     values is the total, since a total moves with its cell) gives a
//     direction in which every line equation still holds, so hiding all
//     corners lets p rise by the smallest corner of sign −1 and fall by the
//     smallest corner of sign +1. A cube qualifies when these add up to at
//     least Required(value) = max(1, value); every other corner then has an
//     interval at least as wide, so no hidden cell is exact. This is the
//     protection interval: τ-Argus' lower and upper protection levels of
//     a sliding range, LPL + UPL ≥ max(1, value), 100 % of the value
//     (τ-Argus' frequency rule usually asks for 10 to 30 %), so that a
//     small count is never known to better than its own size. Among the
//     qualifying cubes Protect takes the cheapest, counting only cells not
//     yet hidden, compared first by the number of cells of the highest
//     level (the number of dimensions at their total: the grand total,
//     then the margins of one breakdown, …), level by level down to the
//     margins of one dimension, then by the number of zero cells, then by
//     the sum of values (τ-Argus weighs a cell by its value); the corners
//     become export.Secondary ("D"). The cost only chooses among cubes
//     that protect: a cheap cube that gives a narrower interval is never
//     taken. When the cheapest cube hides a margin or a total (a cell of
//     level 1 or more) not yet hidden, Protect looks for cubes that reach
//     only lower levels and together protect the cell: cubes whose corners
//     other than p are pairwise distinct move independently, so p can rise
//     by the sum of their rises and fall by the sum of their falls (down
//     to 0); taken cheapest first until min(value, Σ falls) + Σ rises ≥
//     Required(value), they replace the single cube (nine retirements of
//     a département whose territories count one to three each are
//     protected by cubes through several territories, not by the
//     département's grand total). A cube pairing p with the total on every
//     dimension where p is not a total moves all its corners the same way
//     and leaves p unbounded above, so every primary cell gets one.
//     A cell hidden before Protect (export.Secondary on entry: the same
//     children hidden in another table) gets a cube too, one that gives it
//     an interval at least 1 wide, so that it is not exact either.
//     Enumerating the cubes costs Π(values per dimension − 1) × 2^k per
//     primary cell.
//  3. A safety net: while the exact linear check Determined finds a hidden
//     cell that the published cells determine, the cheapest published cell
//     on one of its lines is hidden too. Step 2 makes this a no-op, but it
//     keeps Protect's promise independent of the cube argument.
//
// Hiding more cells never narrows an interval, so the cubes of earlier
// primary cells keep protecting them as later ones are added.
//
// # Checking
//
// Two checkers share nothing with Protect's cube search. Determined is
// exact linear algebra: a hidden cell is determined iff its unit vector is
// in the row space of the line equations restricted to the hidden cells
// (Gaussian elimination per component of linked hidden cells). Audit is
// what an intruder would do: for every hidden cell two linear programs
// (gonum's simplex) give its minimum and maximum subject to the equations,
// the published values and non-negativity, and a cell is exposed if its
// interval is narrower than 0.5, or, for a primary cell, narrower than
// Required(value). Audit uses the same elimination to parametrise the
// feasible set by a null-space basis, which it checks. It is dense, its
// cost grows with the cube of the largest component, and it is meant for
// tests and for checking exports offline; Protect relies on the hypercube
// certificate and Determined, which stay fast at national size.
//
// # Linked tables
//
// A Table is one indicator's cells for one département and year. The
// tables the external profiles publish are linked: the same cell is
// published by several profiles, a share or rate publishes the cells of
// other indicators (its numerator and denominator), indicators are
// margins of one another (children accueillis by mode and by sex and age
// add up to the same total; the minors followed are the age bands below
// 18 of the children followed) and across years (the pupilles of N are
// those of N−1 plus the admissions less the adoptions). The references
// are τ-Argus' linked tables, which protects tables sharing cells either
// all at once (a "cover table" holding every cell) or one at a time,
// going back to earlier tables when a common cell's status changes
// (modular, with backtracking); and sdcTable's protectLinkedTables, which
// protects each table, and while a common cell is suppressed in one and
// not the other, suppresses it in the other and protects again. Both are
// about cells shared as such; neither knows shares, sub-totals or
// identities across years, which the indicators' declarations give here
// (indicators.Disclosure). What pipelines/export/profile does, and why:
//
//   - one dataset for every external profile (the cover table of
//     τ-Argus, restricted to what is published): a cell shared by two
//     profiles is one cell, protected once at the threshold of the
//     strictest profile that publishes it, so it is hidden in all or in
//     none; each indicator is there with the breakdowns of the profiles
//     that publish it only (a cell nobody publishes is no cell of the
//     table: protecting it would take complementary cells, often totals,
//     for nothing);
//   - tables are protected one at a time with Protect (hypercubes: cheap,
//     and certified per table), and cells hidden by a link enter their
//     table's protection again as Secondary, until nothing changes: the
//     iteration of protectLinkedTables, which ends as suppressions only
//     grow;
//   - a share or rate whose numerator is declared as cells of other
//     indicators is not a table of its own: it is hidden whenever one of
//     its cells is, and its threshold is carried over to its cells (3
//     children in foster care are a small count wherever a share gives
//     them). Published, it gives only what its cells give; hidden, nothing.
//     A rate over a public population gives its numerator: it is treated
//     as such, its numerator being declared;
//   - an identity between indicators whose cells would have one hidden
//     gets a second, the one in the fewest identities, then the smallest
//     (a flow rather than a stock, which would carry the suppression from
//     year to year), so that it never gives one hidden cell away alone;
//   - one mark for every hidden cell in every file (export.Conf.Mark): a
//     primary and a complementary cell look alike.
//
// This is a heuristic, not an optimal cover: the audit that tests it
// (package pipelines/export/intruder) is the strongest intruder we know,
// one linear program over every external file of every profile, with
// every margin, link and identity and whole numbers, and it shares no
// code with the protection.
package disclosure
