//! The `logscan` command. (Skeleton: the CLI issue replaces this file.)

fn main() {
    eprintln!("logscan: the command-line interface is not built yet (see the CLI issue)");
    std::process::exit(2);
}
