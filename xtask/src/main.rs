//! `cargo xtask`: project tasks. (Skeleton: the xtask issue replaces this file.)

fn main() {
    eprintln!("xtask: no tasks yet");
    std::process::exit(2);
}
