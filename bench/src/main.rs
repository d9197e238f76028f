fn main() {}
mod nab;
