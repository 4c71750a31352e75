//! Size baseline: the board runtime (vector table, defmt over semihosting, panic handling) and
//! nothing else. `size-signing` minus this is the flash taken by the core's signing code.
#![no_std]
#![no_main]

use board_mps2_an386::exit;
use cortex_m_rt::entry;

#[entry]
fn main() -> ! {
    defmt::info!("baseline {=u32}", core::hint::black_box(0));
    exit(0)
}
