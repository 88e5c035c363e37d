// Properties of `cdc_fifo` (the 2-beat build, cdc_fifo_w1_formal) for
// every interleaving of two free-running clocks: each solver step, each
// clock may rise, fall or hold, independently of the other. The DUT's
// registers start at arbitrary values (the generator's `initial` blocks
// are stripped); one reset, held until each side has seen two edges of
// its clock, must make it sane.
//
// The harness follows one accepted beat, the k-th, chosen by the solver:
// it must leave as the k-th beat read, unchanged. With n_in beats
// accepted and n_out read, nothing is read that was not written
// (n_out <= n_in) and the FIFO never holds more than its 2 words and the
// head register (n_in - n_out <= 3), so `full` and `empty` are never wrong.
module props;
    (* anyseq *) wire wr_clock;
    (* anyseq *) wire rd_clock;
    (* anyseq *) wire [7:0] wr_data;
    (* anyseq *) wire wr_keep, wr_valid, wr_last, wr_user, rd_ready;
    (* anyconst *) wire [4:0] k;

    wire wr_ready, rd_valid, rd_keep, rd_last, rd_user;
    wire [7:0] rd_data;

    reg rst = 1;
    reg [1:0] wr_seen = 0, rd_seen = 0;
    always @(posedge wr_clock) if (wr_seen != 3) wr_seen <= wr_seen + 1;
    always @(posedge rd_clock) if (rd_seen != 3) rd_seen <= rd_seen + 1;
    (* gclk *) reg gclk;
    always @(posedge gclk) if (wr_seen >= 2 && rd_seen >= 2) rst <= 0;

    top dut (
        .wr_clock(wr_clock), .wr_reset(rst),
        .wr$data(wr_data), .wr$keep(wr_keep), .wr$valid(wr_valid),
        .wr$ready(wr_ready), .wr$last(wr_last), .wr$user(wr_user),
        .rd_clock(rd_clock), .rd_reset(rst),
        .rd$data(rd_data), .rd$keep(rd_keep), .rd$valid(rd_valid),
        .rd$ready(rd_ready), .rd$last(rd_last), .rd$user(rd_user)
    );

    reg [4:0] n_in = 0, n_out = 0;
    reg [10:0] followed;
    always @(posedge wr_clock) if (!rst && wr_valid && wr_ready) begin
        if (n_in == k) followed <= {wr_data, wr_keep, wr_last, wr_user};
        n_in <= n_in + 1;
    end
    always @(posedge rd_clock) if (!rst && rd_valid && rd_ready) begin
        n_out <= n_out + 1;
        if (n_out == k) begin
            assert (n_in > k);
            assert ({rd_data, rd_keep, rd_last, rd_user} == followed);
        end
    end
    always @(*) if (!rst) begin
        assert (n_out <= n_in);
        assert (n_in - n_out <= 3);
    end

    // The bound reaches what the proof is about: a full FIFO, and both
    // pointers wrapped (2-bit pointers are back at 0 after 4 beats; the
    // read side loads the 4th into its head before it is read).
    always @(*) if (!rst) begin
        cover (wr_valid && !wr_ready);
        cover (n_out == 4);
    end
endmodule
