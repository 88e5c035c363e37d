//! The capture reader and writer: the trace corpus against its manifest and
//! tshark, hand-built files for every link type and pcapng block, files
//! cut short, and corrupt files.

mod corpus_files;
mod corrupt;
mod files;
mod link_types;
mod pcapng_blocks;
mod truncation;
mod tshark;
mod writer;
