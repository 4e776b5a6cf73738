import mongoose from 'mongoose';

export interface PassengerRecord {
  code: string;
  firstName: string;
  lastName: string;
  email: string;
  mobileNumber: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** `_id` is the code, so a lookup by code is a point read (see storage.ts). */
export type PassengerDocument = PassengerRecord & { _id: string };

const passengerSchema = new mongoose.Schema<PassengerDocument>(
  {
    _id: { type: String, required: true },
    code: { type: String, required: true }, // unique through `_id`, which is the code
    firstName: { type: String, required: true },
    lastName: { type: String, required: true },
    email: { type: String, required: true, unique: true },
    mobileNumber: { type: String, default: null },
  },
  { timestamps: true, versionKey: false },
);

export function passengerModels(conn: mongoose.Connection) {
  return { Passengers: conn.model<PassengerDocument>('Passenger', passengerSchema, 'passengers') };
}

export type PassengerModels = ReturnType<typeof passengerModels>;
