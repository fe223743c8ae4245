/* The waiting room: follows the session over its socket and goes into the courtroom as soon
   as this person may enter (admitted by the clerk, the session open, a witness called). */
(function () {
  "use strict";
  const root = document.getElementById("hr-waiting");
  if (!root || !window.HearingSocket) return;
  const t = (k) => root.dataset["t" + k.charAt(0).toUpperCase() + k.slice(1)] || k;
  const seatId = Number(root.dataset.seat);
  const witness = root.dataset.witness === "1";
  const msg = document.getElementById("hr-wait-msg");
  const conn = document.getElementById("hr-wait-conn");
  let state = JSON.parse(document.getElementById("hr-state").textContent);
  let leaving = false;

  function mine(s) {
    if (s.my_seat && s.my_seat.id === seatId) return s.my_seat;
    return (s.seats || []).find((x) => x.id === seatId) || {};
  }

  function show(text) {
    if (msg && msg.textContent !== text) msg.textContent = text;
  }

  function decide() {
    const seat = mine(state);
    if (state.status === "closed" || state.status === "cancelled") return show(t("closed"));
    if (seat.status === "removed") return show(t("removed"));
    if (witness && !seat.called) return show(t("witness"));
    if (state.status === "scheduled") return show(t("scheduled"));
    const admitted = seat.status === "admitted" || state.waiting_room === false;
    if (!admitted) return show(t("waiting"));
    show(t("admitted"));
    if (!leaving) {
      leaving = true;
      // 4000: this socket closes because its page moves into the courtroom, where a new
      // one opens at once; not a hang-up (1000) nor a closed page (1001).
      sock.close(4000);
      location.assign(root.dataset.room);
    }
  }

  function patchSeat(id, changes) {
    const seat = id === seatId ? mine(state) : (state.seats || []).find((x) => x.id === id);
    if (seat) Object.assign(seat, changes);
    if (id === seatId && !state.my_seat && !(state.seats || []).length) state.my_seat = Object.assign({ id }, changes);
  }

  const sock = new window.HearingSocket(root.dataset.session, {
    onState(s) {
      state = s;
      decide();
    },
    onEvent(e) {
      switch (e.event) {
        case "status":
          state.status = e.status;
          break;
        case "admitted":
          patchSeat(e.seat, { status: "admitted" });
          break;
        case "removed":
          patchSeat(e.seat, { status: "removed" });
          break;
        case "called":
          patchSeat(e.seat, { called: true });
          break;
        case "excused":
          patchSeat(e.seat, { called: false });
          break;
        default:
          // Anything else may change who may enter: read the state again to be sure.
          sock.reload();
          return;
      }
      decide();
    },
    onConnection(up) {
      conn.textContent = up ? "" : t("offline");
    },
  });
  decide();
})();
