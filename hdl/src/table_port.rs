//! The connection table's command port ([`spec::conn_table`] gives the
//! words): a command in, one answer back. Declared once; `conn_table`
//! holds the [`TableCmd`] end, the register block the [`TableCmdMaster`]
//! end, and `rx_engine` passes it through.

use rust_hdl::prelude::*;
use spec::conn_table as ct;

const OP: usize = ct::OP_BITS as usize;
const BANK: usize = ct::BANK_BITS as usize;
const STATUS: usize = ct::STATUS_BITS as usize;
const SLOT: usize = ct::SLOT_BITS as usize;
const KEY: usize = ct::KEY_BITS as usize;
const STATE: usize = ct::STATE_BITS as usize;

/// The table's end. A command moves on `valid & ready`; `rsp_valid` is
/// high for one cycle when it is done, and the other `rsp_` signals then
/// hold its answer until the next command.
#[derive(LogicInterface, Default)]
#[join = "TableCmdMaster"]
pub struct TableCmd {
    pub valid: Signal<In, Bit>,
    pub ready: Signal<Out, Bit>,
    pub op: Signal<In, Bits<OP>>,
    pub bank: Signal<In, Bits<BANK>>,
    pub slot: Signal<In, Bits<SLOT>>,
    pub key: Signal<In, Bits<KEY>>,
    pub rcv_nxt: Signal<In, Bits<32>>,
    pub snd_una: Signal<In, Bits<32>>,
    pub rsp_valid: Signal<Out, Bit>,
    pub rsp_status: Signal<Out, Bits<STATUS>>,
    pub rsp_slot: Signal<Out, Bits<SLOT>>,
    pub rsp_key: Signal<Out, Bits<KEY>>,
    pub rsp_state: Signal<Out, Bits<STATE>>,
}

/// The commanding end (the register block).
#[derive(LogicInterface, Default)]
#[join = "TableCmd"]
pub struct TableCmdMaster {
    pub valid: Signal<Out, Bit>,
    pub ready: Signal<In, Bit>,
    pub op: Signal<Out, Bits<OP>>,
    pub bank: Signal<Out, Bits<BANK>>,
    pub slot: Signal<Out, Bits<SLOT>>,
    pub key: Signal<Out, Bits<KEY>>,
    pub rcv_nxt: Signal<Out, Bits<32>>,
    pub snd_una: Signal<Out, Bits<32>>,
    pub rsp_valid: Signal<In, Bit>,
    pub rsp_status: Signal<In, Bits<STATUS>>,
    pub rsp_slot: Signal<In, Bits<SLOT>>,
    pub rsp_key: Signal<In, Bits<KEY>>,
    pub rsp_state: Signal<In, Bits<STATE>>,
}
